//! HTTP tests of the real server, on the backend `HUODONG_TEST_BACKEND` names.

mod activities;
mod assets;
mod health;
