package clientapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// TestAccountFlowsWithMautrix runs the account and device flows through
// mautrix-go's client, the library real bots and bridges use.
func TestAccountFlowsWithMautrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := servertest.New(t)

	anon := s.Client(t, "", "")
	versions, err := anon.Versions(ctx)
	require.NoError(t, err)
	require.True(t, versions.Contains(mautrix.SpecV111))
	flows, err := anon.GetLoginFlows(ctx)
	require.NoError(t, err)
	require.True(t, flows.HasFlow(mautrix.AuthTypePassword))
	avail, err := anon.RegisterAvailable(ctx, "alice")
	require.NoError(t, err)
	require.True(t, avail.Available)

	alice := s.Register(t, "alice", "wonderland1")
	who, err := alice.Whoami(ctx)
	require.NoError(t, err)
	require.Equal(t, id.UserID("@alice:hearth.test"), who.UserID)
	require.Equal(t, alice.DeviceID, who.DeviceID)

	_, err = anon.RegisterAvailable(ctx, "alice")
	require.ErrorIs(t, err, mautrix.MUserInUse)

	// A second device, logged in with a password.
	phone := s.Client(t, "", "")
	_, err = phone.Login(ctx, &mautrix.ReqLogin{
		Type:                     mautrix.AuthTypePassword,
		Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: "alice"},
		Password:                 "wonderland1",
		InitialDeviceDisplayName: "phone",
		StoreCredentials:         true,
	})
	require.NoError(t, err)
	devices, err := alice.GetDevicesInfo(ctx)
	require.NoError(t, err)
	require.Len(t, devices.Devices, 2)

	require.NoError(t, alice.SetDeviceInfo(ctx, phone.DeviceID, &mautrix.ReqDeviceInfo{DisplayName: "old phone"}))
	info, err := phone.GetDeviceInfo(ctx, phone.DeviceID)
	require.NoError(t, err)
	require.Equal(t, "old phone", info.DisplayName)

	// Deleting the phone asks for the password, then logs the phone out.
	body, err := alice.MakeFullRequest(ctx, mautrix.FullRequest{
		Method: http.MethodDelete, URL: alice.BuildClientURL("v3", "devices", phone.DeviceID), RequestJSON: struct{}{},
	})
	var httpErr mautrix.HTTPError
	require.True(t, errors.As(err, &httpErr))
	require.Equal(t, http.StatusUnauthorized, httpErr.Response.StatusCode)
	var uia mautrix.RespUserInteractive
	require.NoError(t, json.Unmarshal(body, &uia))
	require.True(t, uia.HasSingleStageFlow(mautrix.AuthTypePassword))
	session := uia.Session
	require.NotEmpty(t, session)
	err = alice.DeleteDevice(ctx, phone.DeviceID, &mautrix.ReqDeleteDevice[any]{Auth: mautrix.ReqUIAuthLogin{
		BaseAuthData: mautrix.BaseAuthData{Type: mautrix.AuthTypePassword, Session: session},
		User:         "alice", Password: "wonderland1",
	}})
	require.NoError(t, err)
	_, err = phone.Whoami(ctx)
	require.ErrorIs(t, err, mautrix.MUnknownToken)

	_, err = alice.Logout(ctx)
	require.NoError(t, err)
	_, err = alice.Whoami(ctx)
	require.ErrorIs(t, err, mautrix.MUnknownToken)
}
