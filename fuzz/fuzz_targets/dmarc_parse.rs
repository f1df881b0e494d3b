//! Arbitrary bytes into the DMARC record parser: it must never panic, loop or blow up memory.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let record = preflight_core::mail::dmarc::parse(text);
        for uri in record.rua.iter().chain(&record.ruf) {
            let _ = preflight_core::mail::dmarc::report_domain(uri);
        }
    }
});
