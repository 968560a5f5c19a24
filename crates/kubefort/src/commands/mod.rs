pub mod pss;
pub mod rules;
pub mod scan;
