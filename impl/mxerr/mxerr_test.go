package mxerr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/impl/mxerr"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code   string
		status int
	}{
		{mxerr.Forbidden, http.StatusForbidden},
		{mxerr.UnknownToken, http.StatusUnauthorized},
		{mxerr.MissingToken, http.StatusUnauthorized},
		{mxerr.NotFound, http.StatusNotFound},
		{mxerr.Unrecognized, http.StatusNotFound},
		{mxerr.LimitExceeded, http.StatusTooManyRequests},
		{mxerr.TooLarge, http.StatusRequestEntityTooLarge},
		{mxerr.Unknown, http.StatusInternalServerError},
		{mxerr.BadJSON, http.StatusBadRequest},
		{mxerr.UserInUse, http.StatusBadRequest},
	} {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.status, mxerr.Status(tc.code))
		})
	}
}

func TestErrorChain(t *testing.T) {
	t.Parallel()
	base := mxerr.New(mxerr.Forbidden, "no")
	wrapped := fmt.Errorf("send event: %w", base)
	require.Equal(t, mxerr.Forbidden, mxerr.CodeOf(wrapped))
	require.Equal(t, "", mxerr.CodeOf(nil))
	require.Equal(t, mxerr.Unknown, mxerr.CodeOf(errors.New("boom")))

	withExtra := base.With("retry_after_ms", 5)
	require.Nil(t, base.Extra, "With copies")
	require.Equal(t, 5, withExtra.Extra["retry_after_ms"])
	require.Equal(t, http.StatusTeapot, base.WithStatus(http.StatusTeapot).HTTPStatus())
	require.Equal(t, http.StatusForbidden, base.HTTPStatus())
}
