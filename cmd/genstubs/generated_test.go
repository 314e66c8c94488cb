package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/hearth-hs/hearth/cmd/internal/genroutes"
	"github.com/hearth-hs/hearth/gen/clientserver"
	"github.com/hearth-hs/hearth/gen/serverserver"
)

// These tests check the committed gen/ packages keep genstubs' promises.

func TestCommittedOutputsAreUpToDate(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"clientserver", "serverserver", "appservice", "pushgateway"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("..", "..", "gen", dir)
			pkg, err := genroutes.Load(path, func(base string) bool { return base == stubsFile || base == rawFile })
			require.NoError(t, err)
			stubs, err := stubsSource(pkg)
			require.NoError(t, err)
			for name, src := range map[string][]byte{stubsFile: stubs, rawFile: rawJSONSource(pkg)} {
				committed, err := os.ReadFile(filepath.Join(path, name))
				if src == nil {
					require.ErrorIs(t, err, os.ErrNotExist, "%s should not exist", name)
					continue
				}
				require.NoError(t, err)
				formatted, err := formatSource(src)
				require.NoError(t, err)
				require.True(t, bytes.Equal(committed, formatted), "gen/%s/%s is stale: run spec/generate.sh", dir, name)
			}
		})
	}
}

func TestUnimplementedAnswersEveryRoute(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir      string
		register func(e *echo.Echo)
		method   string
		path     string
		op       string
	}{
		{"clientserver", func(e *echo.Echo) {
			clientserver.RegisterHandlers(e, clientserver.NewStrictHandler(clientserver.Unimplemented{}, nil))
		}, http.MethodPut, "/_matrix/client/v3/rooms/!r:example.org/send/m.room.message/1", "sendMessage"},
		{"serverserver", func(e *echo.Echo) {
			serverserver.RegisterHandlers(e, serverserver.NewStrictHandler(serverserver.Unimplemented{}, nil))
		}, http.MethodPut, "/_matrix/federation/v1/send/1", "sendTransaction"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			e := echo.New()
			var got error
			e.HTTPErrorHandler = func(err error, c echo.Context) { got = err }
			tc.register(e)

			pkg, err := genroutes.Load(filepath.Join("..", "..", "gen", tc.dir), nil)
			require.NoError(t, err)
			routes, err := pkg.Routes()
			require.NoError(t, err)
			require.Len(t, e.Routes(), len(routes), "every operation is routed once")

			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{"body":1}`))
			req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			e.ServeHTTP(httptest.NewRecorder(), req)
			var nie interface{ NotImplemented() bool }
			require.True(t, errors.As(got, &nie), "got %v", got)
			require.ErrorContains(t, got, "operation "+tc.op+" is not implemented")
		})
	}
}

func TestRawResponsesKeepTheirBytes(t *testing.T) {
	t.Parallel()
	body := `{"b":1,"a":[1.0,2]}`
	for _, v := range []any{
		clientserver.GetAccountData200JSONResponse(body),
		clientserver.GetRoomStateWithKey200JSONResponse(body),
		serverserver.GetServerKey200JSONResponse(body),
		clientserver.SendMessageJSONRequestBody(body),
	} {
		out, err := json.Marshal(v)
		require.NoError(t, err)
		require.JSONEq(t, body, string(out), "%T", v)
		require.Equal(t, body, string(out), "%T keeps key order and number spelling", v)
	}
	w := httptest.NewRecorder()
	require.NoError(t, clientserver.GetAccountData200JSONResponse(body).VisitGetAccountDataResponse(w))
	require.Equal(t, body, strings.TrimSpace(w.Body.String()))
}

func TestEmbeddedSpecsLoad(t *testing.T) {
	t.Parallel()
	cs, err := clientserver.GetSwagger()
	require.NoError(t, err)
	send := cs.Paths.Find("/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}")
	require.NotNil(t, send)
	require.Equal(t, "sendMessage", send.Put.OperationID, "the embedded spec keeps the spec's operationIds")
	ss, err := serverserver.GetSwagger()
	require.NoError(t, err)
	require.NotNil(t, ss.Paths.Find("/_matrix/federation/v1/send/{txnId}"))
}
