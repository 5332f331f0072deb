//! `northstar lsp`: a Language Server Protocol server over stdio.
//!
//! One thread reads messages in order and answers each before the next
//! ([`lsp_server`]'s synchronous connection, no async runtime): the check
//! is synchronous and takes milliseconds on an edit, since the
//! [`Workspace`] keeps the plans in memory and re-checks with a memo.
//! Open buffers replace their files' texts; every change re-checks the
//! plans and publishes the diagnostics of every file whose diagnostics
//! changed, so fixing a document clears the errors of those referring to
//! it.

pub mod actions;
pub mod complete;
pub mod handlers;
pub mod nav;
pub mod spot;
pub mod symbols;
pub mod text;
pub mod workspace;

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, InitializeParams, OneOf, RenameOptions,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use workspace::Workspace;

/// What the server can do: only what is implemented is advertised.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec!["[".into(), " ".into()]),
            ..lsp_types::CompletionOptions::default()
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// The folder the client names as its workspace, if it is a local one.
fn client_root(params: &InitializeParams) -> Option<PathBuf> {
    #[allow(deprecated)] // `root_uri`: older clients send only it
    let uri: &Uri = match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => &folders[0].uri,
        _ => params.root_uri.as_ref()?,
    };
    let raw = uri.as_str().strip_prefix("file://")?;
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    Some(PathBuf::from(decoded.as_ref()))
}

/// Runs the server on stdin and stdout until the client says `exit`.
/// The plans are found from the client's workspace folder, else `dir`.
pub fn run(dir: &Path) -> Result<u8, String> {
    let (conn, io) = Connection::stdio();
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let opened = client_root(&params)
        .and_then(|root| Workspace::new(&root).ok())
        .map_or_else(|| Workspace::new(dir), Ok);
    let mut ws = match opened {
        Ok(ws) => ws,
        Err(e) => {
            let resp =
                Response::new_err(id, lsp_server::ErrorCode::RequestFailed as i32, e.clone());
            let _ = conn.sender.send(resp.into());
            drop(conn);
            let _ = io.join();
            return Err(e);
        }
    };
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "northstar", "version": env!("CARGO_PKG_VERSION") },
    });
    conn.initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    watch_files(&conn, &params);
    publish(&conn, &mut ws, &BTreeSet::new());
    ws.prepare_next();
    main_loop(&conn, &mut ws)?;
    drop(conn);
    io.join().map_err(|e| e.to_string())?;
    Ok(0)
}

/// Asks the client to report changes to plan files made outside it (a
/// checkout, another editor), when it can.
fn watch_files(conn: &Connection, params: &InitializeParams) {
    let can = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    if !can {
        return;
    }
    let watchers: Vec<_> = ["**/*.md", "**/*.yaml", "**/*.yml", "**/*.json"]
        .into_iter()
        .map(|g| serde_json::json!({ "globPattern": g }))
        .collect();
    let params = serde_json::json!({ "registrations": [{
        "id": "northstar-files",
        "method": note::DidChangeWatchedFiles::METHOD,
        "registerOptions": { "watchers": watchers },
    }]});
    let req = Request::new(
        "northstar-watch".to_string().into(),
        "client/registerCapability".into(),
        params,
    );
    let _ = conn.sender.send(req.into());
}

/// Sends the diagnostics that changed (and those of the files `always`).
fn publish(conn: &Connection, ws: &mut Workspace, always: &BTreeSet<String>) {
    for p in ws.publish(always) {
        let n = Notification::new(note::PublishDiagnostics::METHOD.into(), p);
        let _ = conn.sender.send(n.into());
    }
}

/// Checks again and publishes, when something changed since the last
/// check (`pending` holds the files to publish in any case).
fn flush(conn: &Connection, ws: &mut Workspace, pending: &mut Option<BTreeSet<String>>) {
    if let Some(always) = pending.take() {
        ws.recheck();
        publish(conn, ws, &always);
        ws.prepare_next();
    }
}

/// Answers messages in order. Changes already queued are applied
/// together before one check (typing outruns a check of a large plan);
/// a request is answered after the check of every change before it.
fn main_loop(conn: &Connection, ws: &mut Workspace) -> Result<(), String> {
    let mut pending: Option<BTreeSet<String>> = None;
    loop {
        let msg = if pending.is_some() {
            match conn.receiver.try_recv() {
                Ok(m) => m,
                Err(e) if e.is_empty() => {
                    flush(conn, ws, &mut pending);
                    continue;
                }
                Err(_) => return Ok(()),
            }
        } else {
            match conn.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ok(()),
            }
        };
        match msg {
            Message::Request(req) => {
                flush(conn, ws, &mut pending);
                if conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                let resp = handlers::request(ws, req);
                conn.sender.send(resp.into()).map_err(|e| e.to_string())?;
            }
            Message::Notification(n) => {
                if let Some(always) = notification(conn, ws, n) {
                    pending.get_or_insert_default().extend(always);
                }
            }
            Message::Response(_) => {}
        }
    }
}

/// Applies a notification from the client: buffers opened, changed,
/// closed, saved, files changed on disk. Returns None when nothing
/// changed, else the file whose diagnostics are due whether or not they
/// change (the one opened or edited), if any.
fn notification(conn: &Connection, ws: &mut Workspace, n: Notification) -> Option<Option<String>> {
    let always = match n.method.as_str() {
        note::DidOpenTextDocument::METHOD => {
            let p: DidOpenTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let rel = ws.rel(&p.text_document.uri)?;
            let d = p.text_document;
            ws.set_open(&rel, d.uri, d.version, d.text);
            Some(rel)
        }
        note::DidChangeTextDocument::METHOD => {
            let p: DidChangeTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let rel = ws.rel(&p.text_document.uri)?;
            let mut t = ws.text(&rel).unwrap_or("").to_string();
            for change in p.content_changes {
                text::apply(&mut t, change);
            }
            ws.set_open(&rel, p.text_document.uri, p.text_document.version, t);
            Some(rel)
        }
        note::DidCloseTextDocument::METHOD => {
            let p: DidCloseTextDocumentParams = serde_json::from_value(n.params).ok()?;
            if let Some(rel) = ws.rel(&p.text_document.uri) {
                ws.close(&rel);
            }
            None
        }
        note::DidSaveTextDocument::METHOD => {
            let p: DidSaveTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let rel = ws.rel(&p.text_document.uri);
            if !rel.is_some_and(|r| ws.frames(&r)) {
                return None;
            }
            reload(conn, ws);
            None
        }
        note::DidChangeWatchedFiles::METHOD => {
            let p: DidChangeWatchedFilesParams = serde_json::from_value(n.params).ok()?;
            let rels: Vec<String> = p.changes.iter().filter_map(|c| ws.rel(&c.uri)).collect();
            if rels.iter().any(|r| ws.frames(r)) {
                reload(conn, ws);
            } else {
                for r in rels {
                    if !ws.is_open(&r) {
                        ws.close(&r);
                    }
                }
            }
            None
        }
        _ => return None,
    };
    Some(always)
}

/// Opens the plans again after the config or a schema changed; if they
/// no longer open, says why and keeps the last good state.
fn reload(conn: &Connection, ws: &mut Workspace) {
    if let Err(e) = ws.reload() {
        let p = lsp_types::ShowMessageParams {
            typ: lsp_types::MessageType::ERROR,
            message: format!("northstar: {e}"),
        };
        let n = Notification::new(note::ShowMessage::METHOD.into(), p);
        let _ = conn.sender.send(n.into());
    }
}
