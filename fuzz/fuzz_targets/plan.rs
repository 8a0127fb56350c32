//! Arbitrary text as a plan file: a plan or an error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = coproduction::Plan::from_toml_str(text, "plan.toml", std::path::Path::new("."));
    }
});
