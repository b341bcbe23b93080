//! Helpers shared by the gateway's integration tests.

#![allow(dead_code, unused_macros)]

pub mod gateway;
pub mod postgres;

/// For each scenario (an `async fn(database_url: &str)`), a test on SQLite named after it, and
/// one test running every scenario on PostgreSQL (each on a fresh database of one throwaway
/// cluster), which says plainly when PostgreSQL is not installed and skips.
macro_rules! on_sqlite_and_postgres {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn on_sqlite() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite3").display());
                    super::$scenario(&url).await;
                }
            }
        )*

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn every_scenario_on_postgres() {
            let Some(cluster) = support::postgres::Postgres::start() else {
                return;
            };
            $(
                eprintln!("on PostgreSQL: {}", stringify!($scenario));
                $scenario(&cluster.database(stringify!($scenario)).await).await;
            )*
        }
    };
}
