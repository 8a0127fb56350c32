//! Arbitrary bytes as participants.csv and outcomes.csv: a load with every row accounted
//! for, or an error; never a panic.
#![no_main]

use coproduction::{Catalogue, Ingest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0xff).unwrap_or(data.len() / 2);
    let (participants, outcomes) = data.split_at(split);
    if let Ok(loaded) = Ingest::new(Catalogue::builtin()).load_readers(participants, "p.csv", outcomes, "o.csv") {
        for f in loaded.files() {
            assert_eq!(f.rows_read, f.rows_accepted + f.rows_rejected);
        }
    }
});
