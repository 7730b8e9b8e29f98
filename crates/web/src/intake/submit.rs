//! Receiving a submission: a multipart form read as a stream. The message is held in memory
//! (it is small and bounded); a file goes chunk by chunk to the station, which strips its
//! metadata and encrypts it to the custodians on its way to disk. Every limit is checked
//! while reading, and a refusal drains what is left of the body (up to the limit) so the
//! browser receives the explanation rather than a reset connection.

use super::pages::csrf_ok;
use super::{
    FLASH_COOKIE, PortalState, Refusal, SESSION_COOKIE, clear_cookie, cookie, see_other, set_cookie,
};
use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use humint_station::intake::{
    Flash, PortalError, PortalSession, StoredFile, SubmissionPermit, UploadError,
};
use zeroize::Zeroizing;

/// What a form may add around its message and file (boundaries, headers, the CSRF token).
const FORM_OVERHEAD: u64 = 64 * 1024;
/// Longest file name kept (it goes, encrypted, into the custodian's note).
const MAX_LABEL: usize = 200;

struct Received {
    message: Zeroizing<String>,
    file: Option<StoredFile>,
    label: Option<String>,
}

fn max_body(state: &PortalState) -> u64 {
    let p = state.portal.policy();
    p.file_max_bytes
        .saturating_add(p.message_max_bytes as u64)
        .saturating_add(FORM_OVERHEAD)
}

/// Refuses at once a body that announces it is too large: nothing of it is read.
fn check_length(state: &PortalState, headers: &HeaderMap) -> Result<(), Refusal> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match announced {
        Some(n) if n > max_body(state) => Err(PortalError::FileTooLarge {
            max: state.portal.policy().file_max_bytes,
        }
        .into()),
        _ => Ok(()),
    }
}

/// The file name as the volunteer's browser sent it, reduced to its last component and
/// printable characters.
fn label(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_LABEL)
        .collect();
    (!clean.trim().is_empty()).then_some(clean)
}

async fn read_small(field: &mut Field<'_>, max: usize) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    let mut out = Zeroizing::new(Vec::new());
    while let Some(chunk) = field.chunk().await.map_err(|_| Refusal::malformed())? {
        if out.len() + chunk.len() > max {
            return Err(PortalError::MessageTooLong { max }.into());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

async fn read_file(
    state: &PortalState,
    permit: &SubmissionPermit,
    field: &mut Field<'_>,
) -> Result<Option<StoredFile>, Refusal> {
    let mut upload = None;
    let failure: Option<Refusal> = loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break None,
            Err(_) => break Some(Refusal::malformed()),
        };
        if chunk.is_empty() {
            continue;
        }
        if upload.is_none() {
            upload = Some(state.portal.start_file(permit).await?);
        }
        let Some(up) = upload.as_mut() else { continue };
        match up.write(&chunk).await {
            Ok(()) => {}
            Err(UploadError::TooLarge { limit }) => {
                break Some(PortalError::FileTooLarge { max: limit }.into());
            }
            Err(UploadError::Failed(e)) => break Some(PortalError::Station(e).into()),
        }
    };
    if let Some(refusal) = failure {
        // Wait for the partial ciphertext to be removed before answering.
        if let Some(up) = upload {
            up.abort().await;
        }
        return Err(refusal);
    }
    match upload {
        // A file input left empty still sends a part, with no name and no bytes.
        None => Ok(None),
        Some(up) => Ok(Some(up.finish().await.map_err(PortalError::Station)?)),
    }
}

async fn read_form(
    state: &PortalState,
    headers: &HeaderMap,
    multipart: &mut Multipart,
    permit: &SubmissionPermit,
) -> Result<Received, Refusal> {
    let max_message = state.portal.policy().message_max_bytes;
    let mut csrf = false;
    let mut message = Zeroizing::new(Vec::new());
    let mut file = None;
    let mut file_label = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(Refusal::malformed()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csrf" => {
                let token = read_small(&mut field, 256)
                    .await
                    .map_err(|_| Refusal::malformed())?;
                csrf = csrf_ok(state, headers, &String::from_utf8_lossy(&token));
            }
            // The token comes first in the portal's own forms; without it nothing is read.
            _ if !csrf => return Err(Refusal::expired_form()),
            "message" => message = read_small(&mut field, max_message).await?,
            "file" if file.is_none() => {
                let raw_name = field.file_name().unwrap_or_default().to_owned();
                file = read_file(state, permit, &mut field).await?;
                if file.is_some() {
                    file_label = label(&raw_name);
                }
            }
            // Unknown fields and extra files are read past, never kept.
            _ => while let Ok(Some(_)) = field.chunk().await {},
        }
    }
    if !csrf {
        return Err(Refusal::expired_form());
    }
    let text = String::from_utf8(std::mem::take(&mut *message)).map_err(|e| {
        drop(Zeroizing::new(e.into_bytes()));
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "The message could not be read",
            "The message was not sent as text. Go back and try again.",
        )
    })?;
    Ok(Received {
        message: Zeroizing::new(text),
        file,
        label: file_label,
    })
}

/// Reads and discards the rest of a refused body, up to the largest allowed.
async fn drain(state: &PortalState, multipart: &mut Multipart) {
    let mut budget = max_body(state);
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(chunk)) = field.chunk().await {
            budget = budget.saturating_sub(chunk.len() as u64);
            if budget == 0 {
                return;
            }
        }
    }
}

async fn receive(
    state: &PortalState,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(SubmissionPermit, Received), Refusal> {
    check_length(state, headers)?;
    let Ok(mut multipart) = multipart else {
        return Err(Refusal::malformed());
    };
    // Admission before the body is read: a refused flood costs a header parse.
    let permit = match state.portal.admit().await {
        Ok(p) => p,
        Err(e) => {
            drain(state, &mut multipart).await;
            return Err(e.into());
        }
    };
    match read_form(state, headers, &mut multipart, &permit).await {
        Ok(received) => Ok((permit, received)),
        Err(refusal) => {
            drain(state, &mut multipart).await;
            Err(refusal)
        }
    }
}

fn notes(day: &str, file_note: Option<String>) -> Vec<String> {
    let mut notes = vec![format!(
        "Received on {day}. It was encrypted as it arrived; not even this server can read it now."
    )];
    notes.extend(file_note);
    notes
}

/// `POST /submit`: first contact. Answers with a redirect to the page that shows the new
/// codename once.
pub(super) async fn first_contact(
    State(state): State<PortalState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (permit, form) = match receive(&state, &headers, multipart).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(),
    };
    let result = state
        .portal
        .submit(permit, &form.message, form.file, form.label.as_deref())
        .await;
    let created = match result {
        Ok(c) => c,
        Err(e) => return Refusal::from(e).into_response(),
    };
    let flash = Flash::with_codename(
        &created.codename,
        notes(&created.receipt.day, created.receipt.file_note),
    );
    match state.portal.seal_flash(flash) {
        Ok(sealed) => see_other(
            "/welcome",
            set_cookie(FLASH_COOKIE, &sealed).into_iter().collect(),
        ),
        Err(e) => Refusal::from(PortalError::Station(e)).into_response(),
    }
}

fn session(state: &PortalState, headers: &HeaderMap) -> Option<PortalSession> {
    cookie(headers, SESSION_COOKIE).and_then(|c| state.portal.open_session(c))
}

/// `POST /thread`: more from a signed-in volunteer.
pub(super) async fn follow_up(
    State(state): State<PortalState>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(session) = session(&state, &headers) else {
        if let Ok(mut m) = multipart {
            drain(&state, &mut m).await;
        }
        return see_other("/login", vec![clear_cookie(SESSION_COOKIE)]);
    };
    let (permit, form) = match receive(&state, &headers, multipart).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(),
    };
    let result = state
        .portal
        .follow_up(
            permit,
            &session,
            &form.message,
            form.file,
            form.label.as_deref(),
        )
        .await;
    let receipt = match result {
        Ok(r) => r,
        Err(e) => return Refusal::from(e).into_response(),
    };
    match state
        .portal
        .seal_flash(Flash::with_notes(notes(&receipt.day, receipt.file_note)))
    {
        Ok(sealed) => see_other(
            "/thread",
            set_cookie(FLASH_COOKIE, &sealed).into_iter().collect(),
        ),
        Err(e) => Refusal::from(PortalError::Station(e)).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn file_names_lose_their_folders_and_control_characters() {
        assert_eq!(
            label("C:\\Users\\alice\\scan.pdf").as_deref(),
            Some("scan.pdf")
        );
        assert_eq!(label("/home/alice/a\u{7}b.jpg").as_deref(), Some("ab.jpg"));
        assert_eq!(label(""), None);
        assert_eq!(label("dir/"), None);
    }
}
