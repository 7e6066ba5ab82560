//! Scanners that ride the single pass over each layer: secrets, package catalogers, and the
//! best-practice and malware-indicator rules.

pub mod packages;
pub mod practices;
pub mod secrets;
