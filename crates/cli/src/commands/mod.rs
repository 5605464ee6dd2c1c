//! One module per subcommand.

pub mod analyze;
pub mod completions;
pub mod convert;
pub mod evaluate;
pub mod forecast;
pub mod negotiate;
pub mod report;
pub mod schema;
pub mod serve;
pub mod show;
pub mod strategies;
pub mod tournament;
pub mod validate;
