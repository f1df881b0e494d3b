//! Arbitrary bytes into the DKIM record parser: it must never panic, loop or blow up memory.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = preflight_core::mail::dkim::parse(text);
    }
});
