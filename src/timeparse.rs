//! Reading the times people type into the form and the CLI.
