#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| launchgate_fuzz_invariants::range_patch(data));
