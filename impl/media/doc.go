// Package media is hearth's content repository: uploads (plain and
// asynchronous, with size limits and per-user quotas), downloads of local
// media, thumbnails (made at upload through the job queue, and on demand),
// URL previews, and the seam through which federation will fetch other
// servers' media. The client API adapter (impl/clientapi/media.go) calls it;
// it knows nothing of HTTP.
//
// Bytes live in a [Store], content-addressed by SHA-256 (identical uploads
// are stored once); metadata lives in PostgreSQL (migrations/00003_media.sql,
// queries/media.sql): a media row points at the hash of its content, and so
// does each thumbnail row.
//
// Files, one job each: config.go (settings), store.go (the Store interface
// and the local filesystem store), service.go (wiring), upload.go (uploads,
// reservations, quotas), download.go (downloads and waiting for pending
// uploads), remote.go (the federation seam), thumbnail.go (choosing, making
// and storing thumbnails; the job), imaging.go (decoding and scaling),
// preview.go (preview_url), opengraph.go (reading pages), ssrf.go (the
// outbound address guard), disposition.go (what may be served inline).
package media
