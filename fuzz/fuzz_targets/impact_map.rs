//! Arbitrary text as an impact map (TOML and CSV), valued when it parses: never a panic.
#![no_main]

use std::collections::BTreeMap;

use coproduction::value::{ImpactMap, LinkedQuantity, evaluate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for map in [ImpactMap::from_toml_str(text, "map.toml"), ImpactMap::from_csv_str(text, "map.csv")].into_iter().flatten() {
            let _ = evaluate(&map, &BTreeMap::<String, LinkedQuantity>::new(), 20, 1);
        }
    }
});
