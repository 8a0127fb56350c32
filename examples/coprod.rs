//! `coprod` as an example: the same code as the installed binary (`src/bin/coprod/`), so
//! that a clone runs it without features.
//!
//! ```text
//! cargo run --release --example coprod                       # the bundled demo
//! cargo run --release --example coprod -- run plan.toml --out my-report
//! cargo run --release --example coprod -- validate plan.toml
//! cargo run --release --example coprod -- init my-evaluation
//! ```

include!("../src/bin/coprod/cli.rs");
