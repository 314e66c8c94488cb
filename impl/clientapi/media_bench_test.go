package clientapi_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"testing"

	"github.com/hearth-hs/hearth/impl/testutil/servertest"
)

// The media benchmarks move a 10 MB file over real HTTP: upload (streamed
// to disk while hashed, fsynced, metadata in PostgreSQL) and download,
// one at a time and 8 at once.

const benchFileSize = 10 << 20

func benchUpload(b *testing.B, client *http.Client, s *servertest.Server, token string, body []byte) string {
	req, err := http.NewRequest(http.MethodPost, s.URL+"/_matrix/media/v3/upload", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("upload: %d %s", resp.StatusCode, raw)
	}
	return string(raw)
}

func benchDownload(b *testing.B, client *http.Client, url, token string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || n != benchFileSize {
		b.Fatalf("download: status %d, %d bytes", resp.StatusCode, n)
	}
}

func BenchmarkMedia10MB(b *testing.B) {
	s := servertest.New(b)
	alice := s.Register(b, "alice", "wonderland1")
	body := make([]byte, benchFileSize)
	_, _ = rand.Read(body)
	client := &http.Client{}

	b.Run("upload", func(b *testing.B) {
		b.SetBytes(benchFileSize)
		for b.Loop() {
			benchUpload(b, client, s, alice.AccessToken, body)
		}
	})

	raw := benchUpload(b, client, s, alice.AccessToken, body)
	uri := raw[len(`{"content_uri":"mxc://`) : len(raw)-len("\"}\n")]
	url := s.URL + v1Media + "/download/" + uri
	b.Run("download", func(b *testing.B) {
		b.SetBytes(benchFileSize)
		for b.Loop() {
			benchDownload(b, client, url, alice.AccessToken)
		}
	})
	b.Run("download 8 parallel", func(b *testing.B) {
		b.SetBytes(benchFileSize)
		b.SetParallelism(4) // 4 × GOMAXPROCS (2 here) goroutines
		b.RunParallel(func(pb *testing.PB) {
			c := &http.Client{}
			for pb.Next() {
				benchDownload(b, c, url, alice.AccessToken)
			}
		})
	})
}
