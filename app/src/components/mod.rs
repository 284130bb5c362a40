//! Reusable components, one per file.

pub mod checkin;
pub mod golden_egg;
pub mod live_wait;
pub mod memory_flip;
pub mod my_prizes;
pub mod nine_grid;
pub mod play;
pub mod player_bar;
pub mod prize_list;
pub mod quiz;
pub mod red_envelope;
pub mod round;
pub mod scratch_card;
pub mod slot_machine;
pub mod status;
pub mod wheel;
