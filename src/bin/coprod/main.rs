//! `coprod`: run an evaluation plan and write its report.
//!
//! A thin command line over the `coproduction` library: argument parsing and printing
//! only. Everything it does is a library call. Installed with
//! `cargo install coproduction --features cli` (or `--path .` from a clone); the bundled
//! demo is inside the binary, so `coprod run` with no plan works from any folder.
//!
//! ```text
//! coprod                                   # the bundled demo, written to coprod-report/
//! coprod run plan.toml --out my-report
//! coprod validate plan.toml
//! coprod init my-evaluation
//! ```

// The command line's code is shared with `examples/coprod.rs`, which CI and the README
// run without the `cli` feature.
include!("cli.rs");
