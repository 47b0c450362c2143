//! Public contact cards (管家名片), no login: a phone-friendly page, a
//! vCard, and a QR code that carries the vCard so a resident's camera saves
//! the contact with no network.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use qrcode::{Color, EcLevel, QrCode};
use steward_domain::ids::UserId;
use steward_domain::org::{HOTLINE, Role};

use crate::api::ApiPath;
use crate::error::{AppError, ErrorBody};
use crate::server::AppState;
use crate::store::CardData;
use crate::vcard::{ContactCard, TITLE, to_vcard};

/// Pixels per QR module, and modules of quiet zone around the code.
const QR_SCALE: usize = 6;
const QR_QUIET: usize = 4;

pub fn routes() -> Router<AppState> {
    Router::new().route("/cards/{card}", get(card)).route("/cards/{id}/qr.png", get(qr_png))
}

async fn load(state: &AppState, id: UserId) -> Result<CardData, AppError> {
    let data = state.store.read(move |db| db.card(id)).await?;
    data.filter(|d| matches!(d.staff.role, Role::Steward | Role::TeamLead))
        .ok_or_else(|| AppError::not_found("no steward with that id"))
}

fn contact(data: &CardData) -> ContactCard {
    let mut org: Vec<String> = data.org_name.iter().cloned().collect();
    org.extend(data.team_name.iter().cloned());
    ContactCard {
        full_name: data.staff.display_name.clone(),
        mobile: data.staff.mobile.as_ref().map(|m| m.to_string()),
        org,
        districts: data.districts.iter().map(|(code, name)| format!("{code} {name}")).collect(),
    }
}

/// The steward's card page; `/cards/{id}.vcf` is the vCard.
#[utoipa::path(get, path = "/cards/{steward_id}", tag = "cards",
    params(("steward_id" = String, Path, description = "A steward id, or a steward id followed by `.vcf` for the vCard")),
    responses((status = 200, description = "The card page (text/html) or the vCard 3.0 (text/vcard)", content_type = "text/html"),
        (status = 404, body = ErrorBody)))]
pub async fn card(State(state): State<AppState>, ApiPath(card): ApiPath<String>) -> Result<Response, AppError> {
    let (id, vcf) = match card.strip_suffix(".vcf") {
        Some(id) => (id, true),
        None => (card.as_str(), false),
    };
    let id: UserId = id.parse().map_err(|_| AppError::bad_request("bad_path", "the steward id is not a UUID"))?;
    let data = load(&state, id).await?;
    if vcf {
        let filename = format!("attachment; filename=\"steward-{id}.vcf\"");
        return Ok((
            [(header::CONTENT_TYPE, "text/vcard; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, filename)],
            to_vcard(&contact(&data)),
        )
            .into_response());
    }
    Ok(Html(page(id, &data)).into_response())
}

/// A QR code (PNG) of the steward's vCard.
#[utoipa::path(get, path = "/cards/{steward_id}/qr.png", tag = "cards",
    params(("steward_id" = uuid::Uuid, Path, description = "A steward id")),
    responses((status = 200, description = "PNG image", content_type = "image/png"), (status = 404, body = ErrorBody)))]
pub async fn qr_png(State(state): State<AppState>, ApiPath(id): ApiPath<UserId>) -> Result<Response, AppError> {
    let data = load(&state, id).await?;
    let png = qr_png_bytes(to_vcard(&contact(&data)).as_bytes()).map_err(AppError::internal)?;
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=3600")], png).into_response())
}

/// Renders `data` as a QR code in an 8-bit greyscale PNG.
pub fn qr_png_bytes(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(data, EcLevel::M)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QR_QUIET) * QR_SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QR_QUIET, i / modules + QR_QUIET);
        for y in my * QR_SCALE..(my + 1) * QR_SCALE {
            pixels[y * side + mx * QR_SCALE..y * side + (mx + 1) * QR_SCALE].fill(0);
        }
    }
    let mut out = Vec::new();
    let side32 = u32::try_from(side)?;
    let mut encoder = png::Encoder::new(&mut out, side32, side32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

/// Escapes text for HTML.
fn h(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(id: UserId, data: &CardData) -> String {
    let name = h(&data.staff.display_name);
    let team = data.team_name.as_deref().map(h).unwrap_or_default();
    let org = data.org_name.as_deref().map(h).unwrap_or_default();
    let districts: Vec<String> = data.districts.iter().map(|(c, n)| format!("{} {}", h(c), h(n))).collect();
    let mobile = match &data.staff.mobile {
        Some(m) => format!(r#"<p class="row">手机：<a href="tel:{m}">{m}</a></p>"#, m = h(m.as_str())),
        None => String::new(),
    };
    format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} · {TITLE}名片</title>
<style>
body {{ font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f4f1ec; color: #222; }}
.card {{ max-width: 420px; margin: 16px auto; background: #fff; border-radius: 12px; padding: 20px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
h1 {{ font-size: 1.6em; margin: 0 0 4px; }}
.title {{ color: #b3261e; font-weight: bold; }}
.row {{ font-size: 1.1em; margin: 10px 0; }}
a {{ color: #b3261e; }}
.promise {{ background: #fff3e0; border-radius: 8px; padding: 10px; }}
img {{ width: 100%; max-width: 240px; display: block; margin: 12px auto; }}
</style>
</head>
<body>
<main class="card">
<h1>{name}</h1>
<p class="title">{TITLE} · 工号 {employee_no}</p>
<p class="row">{org} {team}</p>
<p class="row">服务片区：{districts}</p>
{mobile}
<p class="row">24小时供热服务热线：<a href="tel:{HOTLINE}">{HOTLINE}</a></p>
<p class="promise">一旦您反映问题，我们半小时内到达您家。</p>
<img src="/cards/{id}/qr.png" alt="扫码保存联系人">
<p class="row"><a href="/cards/{id}.vcf">保存到通讯录</a></p>
</main>
</body>
</html>
"#,
        employee_no = h(&data.staff.employee_no),
        districts = districts.join("、"),
    )
}
