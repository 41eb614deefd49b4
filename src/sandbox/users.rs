//! One store per user: a token acts as the seeded account, as the user a browser sign-in's
//! `login_hint` named, as a Workspace user through domain-wide delegation, or as a service
//! account itself, and the Calendar API answers with that user's calendars only. The seeded
//! account's store is the one the sandbox was seeded with, and a seed may make other users'
//! in full (the demo's personal account); any other user's is made on first use with just a primary calendar (id = the user's
//! e-mail, owner access) in the seeded primary calendar's zone and with its conference policy.
//! That is what a service account acting as itself sees ("its own empty calendar"), and two
//! users never see each other's events. `freeBusy` for such a user covers its own calendars
//! only: the seeded account's colleagues and groups are in the seeded store's directory.

use std::time::Instant;

use super::seed::ACCOUNT;
use super::server::{lock, Shared};
use super::store::{Calendar, Store};

impl Shared {
    /// Runs `f` on `user`'s store, made on first use, with due conferences settled.
    pub(crate) fn with_user_store<R>(&self, user: &str, f: impl FnOnce(&mut Store) -> R) -> R {
        let user = user.to_ascii_lowercase();
        if user == ACCOUNT {
            let mut store = lock(&self.store);
            store.settle_due_conferences(Instant::now());
            return f(&mut store);
        }
        // Read the defaults before taking the users' lock: no path holds both.
        let (zone, policy) = {
            let seeded = lock(&self.store);
            let zone = seeded
                .calendar("primary")
                .map_or(chrono_tz::UTC, |c| c.time_zone);
            (zone, seeded.conference_policy.clone())
        };
        let mut users = lock(&self.users);
        let store = users.entry(user.clone()).or_insert_with(|| {
            let mut store = Store::new(&user);
            let mut primary = Calendar::new(&user, &user, zone);
            primary.primary = true;
            store.add_calendar(primary);
            store.conference_policy = policy;
            store
        });
        store.settle_due_conferences(Instant::now());
        f(store)
    }
}
