pub mod netpol;
pub mod rules;
pub mod scan;
