//! The OpenAPI document `meetty serve` publishes at `GET /openapi.json` against what it
//! serves: every route documented, every documented operation served, and every answer's
//! JSON valid against the schema the document gives for its path, method and status.

#[path = "common/openapi.rs"]
mod openapi;
