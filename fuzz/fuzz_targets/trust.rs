#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| porthole::fuzzing::trust(data));
