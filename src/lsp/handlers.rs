//! Requests: each read from its parameters, answered from the last check.

use super::workspace::Workspace;
use super::{actions, complete, nav, symbols};
use lsp_server::{ErrorCode, Request, Response};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionOrCommand, CodeActionParams, CompletionParams, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, Location, MarkupContent, MarkupKind, Position, PrepareRenameResponse,
    ReferenceParams, RenameParams, TextDocumentIdentifier, TextDocumentPositionParams,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A request's outcome: a result, or an error code and message.
type Answer = Result<Value, (ErrorCode, String)>;

fn parse<P: DeserializeOwned>(params: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn json<T: serde::Serialize>(v: T) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// The file a request is about, relative to the root (None: not ours).
fn file(ws: &Workspace, doc: &TextDocumentIdentifier) -> Option<String> {
    ws.rel(&doc.uri)
}

/// Answers one request.
pub fn request(ws: &Workspace, r: Request) -> Response {
    let answer = match r.method.as_str() {
        req::GotoDefinition::METHOD => parse(r.params).and_then(|p| definition(ws, p)),
        req::References::METHOD => parse(r.params).and_then(|p| references(ws, p)),
        req::HoverRequest::METHOD => parse(r.params).and_then(|p| hover(ws, p)),
        req::Completion::METHOD => parse(r.params).and_then(|p| completion(ws, p)),
        req::PrepareRenameRequest::METHOD => parse(r.params).and_then(|p| prepare_rename(ws, p)),
        req::Rename::METHOD => parse(r.params).and_then(|p| rename(ws, p)),
        req::CodeActionRequest::METHOD => parse(r.params).and_then(|p| code_actions(ws, p)),
        req::DocumentSymbolRequest::METHOD => parse(r.params).and_then(|p| document_symbols(ws, p)),
        req::WorkspaceSymbolRequest::METHOD => {
            parse(r.params).and_then(|p| workspace_symbols(ws, p))
        }
        _ => Err((
            ErrorCode::MethodNotFound,
            format!("unknown method {}", r.method),
        )),
    };
    match answer {
        Ok(v) => Response::new_ok(r.id, v),
        Err((code, message)) => Response::new_err(r.id, code as i32, message),
    }
}

/// The file and position of a request.
fn at(ws: &Workspace, p: &TextDocumentPositionParams) -> Option<(String, Position)> {
    Some((file(ws, &p.text_document)?, p.position))
}

fn definition(ws: &Workspace, p: GotoDefinitionParams) -> Answer {
    let Some((f, pos)) = at(ws, &p.text_document_position_params) else {
        return Ok(Value::Null);
    };
    if let Some(o) = nav::at(ws, &f, pos) {
        return json(nav::definition(ws, &o.id).map(GotoDefinitionResponse::Scalar));
    }
    let link = nav::file_link_at(ws, &f, pos).and_then(|l| ws.uri(&l.target));
    json(link.map(|uri| GotoDefinitionResponse::Scalar(Location::new(uri, Default::default()))))
}

fn references(ws: &Workspace, p: ReferenceParams) -> Answer {
    let Some((f, pos)) = at(ws, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    // On an id, that document's; elsewhere, the document the cursor is in.
    let id = match nav::at(ws, &f, pos) {
        Some(o) => o.id,
        None => match nav::doc_at(ws, &f, pos.line) {
            Some(d) => d.id.clone(),
            None => return Ok(Value::Null),
        },
    };
    let own = p.context.include_declaration;
    let found: Vec<Location> = nav::references(ws, &id, own)
        .into_iter()
        .filter_map(|o| Some(Location::new(ws.uri(&o.file)?, o.range)))
        .collect();
    json(found)
}

fn hover(ws: &Workspace, p: HoverParams) -> Answer {
    let Some((f, pos)) = at(ws, &p.text_document_position_params) else {
        return Ok(Value::Null);
    };
    let (text, range) = match nav::at(ws, &f, pos) {
        Some(o) => match nav::describe(ws, &o.id) {
            Some(t) => (t, Some(o.token)),
            None => return Ok(Value::Null),
        },
        None => match complete::field_description(ws, &f, pos) {
            Some(t) => (t, None),
            None => return Ok(Value::Null),
        },
    };
    json(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range,
    })
}

fn completion(ws: &Workspace, p: CompletionParams) -> Answer {
    let Some((f, pos)) = at(ws, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    json(complete::complete(ws, &f, pos))
}

fn prepare_rename(ws: &Workspace, p: TextDocumentPositionParams) -> Answer {
    let Some((f, pos)) = at(ws, &p) else {
        return Ok(Value::Null);
    };
    match nav::at(ws, &f, pos) {
        Some(o) if ws.compiled.plan.get(&o.id).is_some() => {
            json(PrepareRenameResponse::Range(o.range))
        }
        Some(o) => Err((
            ErrorCode::RequestFailed,
            format!("no document with id `{}`", o.id),
        )),
        None => Ok(Value::Null),
    }
}

fn rename(ws: &Workspace, p: RenameParams) -> Answer {
    let Some((f, pos)) = at(ws, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    let Some(o) = nav::at(ws, &f, pos) else {
        return Err((ErrorCode::RequestFailed, "no document id here".into()));
    };
    match nav::rename(ws, &o.id, &p.new_name) {
        Ok(edit) => json(edit),
        Err(e) => Err((ErrorCode::RequestFailed, e)),
    }
}

fn code_actions(ws: &Workspace, p: CodeActionParams) -> Answer {
    let Some(f) = file(ws, &p.text_document) else {
        return Ok(Value::Null);
    };
    let found: Vec<CodeActionOrCommand> = actions::actions(ws, &f, p.range)
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect();
    json(found)
}

fn document_symbols(ws: &Workspace, p: DocumentSymbolParams) -> Answer {
    let Some(f) = file(ws, &p.text_document) else {
        return Ok(Value::Null);
    };
    json(DocumentSymbolResponse::Nested(symbols::document(ws, &f)))
}

fn workspace_symbols(ws: &Workspace, p: WorkspaceSymbolParams) -> Answer {
    json(WorkspaceSymbolResponse::Flat(symbols::workspace(
        ws, &p.query,
    )))
}
