//! One module per route.

pub mod activity;
pub mod home;
pub mod not_found;
pub mod rules;
