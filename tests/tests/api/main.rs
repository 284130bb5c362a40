//! HTTP tests of the real server, on the backend `HUODONG_TEST_BACKEND` names.

mod activities;
mod assets;
mod checkins;
mod concurrency;
mod console;
mod draws;
mod fairness;
mod games;
mod health;
mod live;
mod open_api;
mod openapi;
mod partner;
mod players;
mod risk;
