-- +goose Up

-- filters are the sync filters users upload (POST /user/{userId}/filter).
CREATE TABLE filters (
    user_id   text NOT NULL,
    filter_id bigint GENERATED ALWAYS AS IDENTITY,
    filter    bytea NOT NULL,
    PRIMARY KEY (user_id, filter_id)
);

-- +goose Down
DROP TABLE filters;
