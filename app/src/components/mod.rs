//! Reusable components, one per file.

pub mod prize_list;
pub mod status;
