pub mod audit;
pub mod netpol;
pub mod node;
pub mod pss;
pub mod rbac;
pub mod rules;
pub mod scan;
pub mod secrets;
