//! Mail-authentication records, parsed without the network (SPF, DMARC, DKIM keys), and the table
//! of sending services.
//!
//! The `email` check families evaluate them against DNS; the parsers are kept apart, pure, so the
//! fuzz targets and the unit tests exercise exactly what the audit runs.

pub mod dkim;
pub mod dmarc;
pub mod providers;
pub mod spf;
