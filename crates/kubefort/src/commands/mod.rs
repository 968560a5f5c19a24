pub mod netpol;
pub mod rbac;
pub mod rules;
pub mod scan;
