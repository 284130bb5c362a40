//! Reusable components, one per file.

pub mod player_bar;
pub mod prize_list;
pub mod status;
