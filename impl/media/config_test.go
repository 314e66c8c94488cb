package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, DefaultConfig().Validate())

	bad := DefaultConfig()
	bad.MaxUploadBytes = 0
	bad.Thumbnails.Sizes = append(bad.Thumbnails.Sizes, ThumbnailSize{Width: 10, Height: 0, Method: "stretch"})
	bad.Thumbnails.JPEGQuality = 101
	bad.URLPreview.AllowCIDRs = []string{"10.0.0.0/33"}
	bad.URLPreview.Timeout = 0
	err := bad.Validate()
	for _, want := range []string{"max_upload_bytes", "thumbnails.sizes", "jpeg_quality", "url_preview: netip.ParsePrefix", "timeout > 0"} {
		require.ErrorContains(t, err, want)
	}
}
