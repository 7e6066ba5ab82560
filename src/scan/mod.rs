//! Scanners that ride the single pass over each layer: secrets and package catalogers.

pub mod packages;
pub mod secrets;
