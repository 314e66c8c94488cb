package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTagUntagged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, file, tree, want string }{
		{"federation title", "joins-v2.yaml", `{info: {title: Matrix Federation Join Room API}}`, "Join Room"},
		{"client-server title", "room_summary.yaml", `{info: {title: Matrix Client-Server Room Summary API}}`, "Room Summary"},
		{"no title", "joins-v2.yaml", `{info: {}}`, "Joins V2"},
		{"push gateway title", "push_notifier.yaml", `{info: {title: Matrix Push Gateway API}}`, "Push Gateway"},
		{"client-server appservice title", "appservice_ping.yaml", `{info: {title: Matrix Client-Server Application Service Ping API}}`, "Application Service Ping"},
		{"title with nothing left", "push_notifier.yaml", `{info: {title: Matrix API}}`, "Push Notifier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			item := yamlMap(t, `{get: {operationId: a}, put: {operationId: b, tags: [Kept]}}`)
			tagUntagged(item, tc.file, yamlMap(t, tc.tree))
			require.Equal(t, yamlTree(t, `{get: {operationId: a, tags: [`+tc.want+`]}, put: {operationId: b, tags: [Kept]}}`), any(item))
		})
	}
}
