//! `o2check scenario run NAME|all`: the command line's side of the scenario
//! coordinator (o2check_scenarios::coordinator). `run.rs` turns the arguments
//! into the coordinator's options and its exit status, `screen.rs` draws its
//! progress on the terminal, `report.rs` writes the run's report.

mod report;
mod run;
mod screen;

pub use run::run;
