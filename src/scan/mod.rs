//! Scanners that ride the single pass over each layer: secrets now, packages later.

pub mod secrets;
