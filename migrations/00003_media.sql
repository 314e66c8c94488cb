-- +goose Up

-- media is the content repository's metadata (impl/media). The bytes live in
-- the media store (by default under <data_dir>/media), addressed by their
-- SHA-256: rows point at the hash, so identical uploads are stored once.
-- origin is the server name of the mxc:// URI: this server's for local
-- media; other servers' rows are the cache federation will fill.
CREATE TABLE media (
    origin            text NOT NULL,
    media_id          text NOT NULL,
    -- user_id uploaded it (or reserved the ID); empty for media the server
    -- made itself (URL preview images) and for remote media.
    user_id           text NOT NULL DEFAULT '',
    content_type      text NOT NULL DEFAULT 'application/octet-stream',
    file_name         text,
    -- size and sha256 stay NULL while an ID reserved by POST
    -- /_matrix/media/v1/create waits for its upload.
    size              bigint,
    sha256            text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    uploaded_at       timestamptz,
    -- unused_expires_at ends a reservation that got no upload.
    unused_expires_at timestamptz,
    -- restricted media is served by the authenticated endpoints only: media
    -- created while the legacy unauthenticated endpoints were frozen.
    restricted        boolean NOT NULL,
    PRIMARY KEY (origin, media_id),
    CHECK ((size IS NULL) = (sha256 IS NULL))
);

CREATE INDEX media_user_id ON media (user_id, created_at) WHERE user_id <> '';
CREATE INDEX media_sha256 ON media (sha256) WHERE sha256 IS NOT NULL;

-- media_thumbnails are the stored thumbnails of a media item, one per
-- requested box (width × height, method) and animation; actual_* is the
-- size of the image served, never larger than the original.
CREATE TABLE media_thumbnails (
    origin        text NOT NULL,
    media_id      text NOT NULL,
    width         integer NOT NULL,
    height        integer NOT NULL,
    method        text NOT NULL CHECK (method IN ('crop', 'scale')),
    animated      boolean NOT NULL,
    actual_width  integer NOT NULL,
    actual_height integer NOT NULL,
    content_type  text NOT NULL,
    size          bigint NOT NULL,
    sha256        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (origin, media_id, width, height, method, animated),
    FOREIGN KEY (origin, media_id) REFERENCES media (origin, media_id) ON DELETE CASCADE
);

CREATE INDEX media_thumbnails_sha256 ON media_thumbnails (sha256);

-- media_url_previews caches the OpenGraph answers of preview_url by URL and
-- time bucket (fetch time divided by the cache lifetime).
CREATE TABLE media_url_previews (
    url        text NOT NULL,
    bucket     bigint NOT NULL,
    og         jsonb NOT NULL,
    fetched_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (url, bucket)
);

-- +goose Down
DROP TABLE media_url_previews;
DROP TABLE media_thumbnails;
DROP TABLE media;
