//! Integration tests: the real binary on real files (one test binary, several modules).

#![allow(clippy::print_stderr)]

mod breakdown;
mod budget;
mod check;
mod cluster;
mod clv;
mod config;
mod duckdb;
mod duplicates;
mod edges;
mod errors;
mod exports;
mod formats;
mod guarantees;
mod health;
mod help;
mod history;
mod init;
mod inputs;
mod large;
mod lifecycle;
mod outputs;
mod pareto;
mod profit;
mod properties;
mod report;
mod rules;
mod safety;
mod scoring;
mod sql;
mod support;
mod value;
mod write_guard;
