//! Route tables: the open API and the console build their routers from a
//! list of [`Route`]s, and the OpenAPI document is checked against the same
//! lists, so what is documented and what is served cannot drift apart.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::state::AppState;

/// One method on one path.
#[derive(Debug)]
pub struct Route {
    /// `GET` or `POST`.
    pub method: Method,
    /// The axum path (`/api/v1/console/activities/{id}`).
    pub path: String,
    /// What answers it.
    pub handler: MethodRouter<AppState>,
}

impl Route {
    /// `GET path`.
    pub fn get<H: Handler<T, AppState>, T: 'static>(path: impl Into<String>, handler: H) -> Route {
        Route {
            method: Method::GET,
            path: path.into(),
            handler: get(handler),
        }
    }

    /// `POST path`.
    pub fn post<H: Handler<T, AppState>, T: 'static>(path: impl Into<String>, handler: H) -> Route {
        Route {
            method: Method::POST,
            path: path.into(),
            handler: post(handler),
        }
    }
}

/// The router of a table (routes on one path with different methods merge).
pub fn router(routes: Vec<Route>) -> Router<AppState> {
    routes
        .into_iter()
        .fold(Router::new(), |router, r| router.route(&r.path, r.handler))
}

/// `(method, path)` of every route of a table.
pub fn paths(routes: &[Route]) -> Vec<(Method, String)> {
    routes
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect()
}
