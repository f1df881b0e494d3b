//! Arbitrary bytes into the SPF record parser: it must never panic, loop or blow up memory.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let record = preflight_core::mail::spf::parse(text);
        let _ = (record.all(), record.redirect(), preflight_core::mail::spf::is_spf(text));
    }
});
