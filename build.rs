//! Link flags for the `meetty` binary. Status bars start `meetty next` every few seconds, so
//! its start-up is a budget (≤ 5 ms, ≤ 10 MB RSS; BENCHMARKS.md): on Linux with glibc the
//! binary's ~59,000 relative relocations are packed as RELR (`-z pack-relative-relocs`,
//! binutils ≥ 2.38, glibc ≥ 2.36) instead of a 1.4 MB RELA table the loader reads on every
//! start. It stays a position-independent executable (ASLR kept); the peak RSS of
//! `meetty next` goes from 11.0 MB to 9.0 MB.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
