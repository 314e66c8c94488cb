package media

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Config is the media part of hearth's configuration.
type Config struct {
	// Path is the root of the local media store; empty means
	// <data_dir>/media (filled in by package config).
	Path string `yaml:"path"`
	// MaxUploadBytes bounds one upload; it is announced as m.upload.size.
	MaxUploadBytes int64 `yaml:"max_upload_bytes"`
	// UserQuotaBytes bounds what one user may upload in all; 0 is no limit.
	UserQuotaBytes int64 `yaml:"user_quota_bytes"`
	// MaxPendingUploads bounds a user's media IDs reserved with
	// POST /_matrix/media/v1/create and not uploaded yet.
	MaxPendingUploads int `yaml:"max_pending_uploads"`
	// UnusedExpiry is how long a reserved media ID waits for its upload.
	UnusedExpiry time.Duration `yaml:"unused_expiry"`
	// MaxDownloadWait caps the timeout_ms a download of a pending upload
	// may wait.
	MaxDownloadWait time.Duration `yaml:"max_download_wait"`
	// LegacyUnauthenticatedMedia serves media created while it is on through
	// the deprecated unauthenticated /_matrix/media/v3 download and
	// thumbnail endpoints. Off (the default), new media is "frozen" out of
	// them as Synapse does: those endpoints answer 404 M_NOT_FOUND for it,
	// and serve only media created while the switch was on.
	LegacyUnauthenticatedMedia bool            `yaml:"legacy_unauthenticated_media"`
	Thumbnails                 ThumbnailConfig `yaml:"thumbnails"`
	URLPreview                 PreviewConfig   `yaml:"url_preview"`
}

// ThumbnailConfig sets which thumbnails are made and how far on-demand
// thumbnails may go.
type ThumbnailConfig struct {
	// Sizes are made for every image at upload, through the job queue.
	Sizes []ThumbnailSize `yaml:"sizes"`
	// Dynamic makes thumbnails of other sizes on demand (and stores them)
	// when no configured size is at least as large as asked.
	Dynamic bool `yaml:"dynamic"`
	// MaxDynamicSide caps each side of an on-demand thumbnail.
	MaxDynamicSide int `yaml:"max_dynamic_side"`
	// MaxSourcePixels refuses to decode larger images (decompression bombs).
	MaxSourcePixels int64 `yaml:"max_source_pixels"`
	// MaxAnimatedFrames bounds the frames of an animated thumbnail; longer
	// animations get a still one.
	MaxAnimatedFrames int `yaml:"max_animated_frames"`
	// JPEGQuality is the quality of JPEG thumbnails (1-100).
	JPEGQuality int `yaml:"jpeg_quality"`
}

// ThumbnailSize is one thumbnail box: width × height, by method crop or scale.
type ThumbnailSize struct {
	Width  int    `yaml:"width"`
	Height int    `yaml:"height"`
	Method string `yaml:"method"`
}

// PreviewConfig is the preview_url part of the media configuration.
type PreviewConfig struct {
	Enabled bool `yaml:"enabled"`
	// AllowCIDRs are networks previews may reach although they are not
	// public (an intranet wiki, a test server on 127.0.0.1).
	AllowCIDRs []string `yaml:"allow_cidrs"`
	// DenyCIDRs are refused besides the non-public ranges always refused.
	DenyCIDRs []string `yaml:"deny_cidrs"`
	// MaxPageBytes bounds the bytes read of a page; MaxImageBytes those of
	// its og:image.
	MaxPageBytes  int64 `yaml:"max_page_bytes"`
	MaxImageBytes int64 `yaml:"max_image_bytes"`
	// Timeout bounds one preview's fetches, redirects and image included.
	Timeout      time.Duration `yaml:"timeout"`
	MaxRedirects int           `yaml:"max_redirects"`
	// CacheFor is how long a preview is reused: results are cached by URL
	// and time bucket (the request's ts, or now, divided by CacheFor).
	CacheFor  time.Duration `yaml:"cache_for"`
	UserAgent string        `yaml:"user_agent"`
}

// Thumbnail methods.
const (
	MethodCrop  = "crop"
	MethodScale = "scale"
)

// DefaultConfig returns the configuration hearth runs with when nothing is
// set: Synapse's thumbnail sizes and limits.
func DefaultConfig() Config {
	return Config{
		MaxUploadBytes:    50 << 20,
		MaxPendingUploads: 5,
		UnusedExpiry:      24 * time.Hour,
		MaxDownloadWait:   time.Minute,
		Thumbnails: ThumbnailConfig{
			Sizes: []ThumbnailSize{
				{32, 32, MethodCrop},
				{96, 96, MethodCrop},
				{320, 240, MethodScale},
				{640, 480, MethodScale},
				{800, 600, MethodScale},
			},
			Dynamic:           true,
			MaxDynamicSide:    1600,
			MaxSourcePixels:   32_000_000,
			MaxAnimatedFrames: 300,
			JPEGQuality:       80,
		},
		URLPreview: PreviewConfig{
			Enabled:       true,
			MaxPageBytes:  2 << 20,
			MaxImageBytes: 10 << 20,
			Timeout:       10 * time.Second,
			MaxRedirects:  5,
			CacheFor:      time.Hour,
			UserAgent:     "hearth URL preview (Matrix homeserver)",
		},
	}
}

// Validate reports every problem in c.
func (c Config) Validate() error {
	var errs []error
	if c.MaxUploadBytes < 1 {
		errs = append(errs, errors.New("media.max_upload_bytes must be positive"))
	}
	if c.UserQuotaBytes < 0 {
		errs = append(errs, errors.New("media.user_quota_bytes: want 0 (no limit) or more"))
	}
	if c.MaxPendingUploads < 1 || c.UnusedExpiry <= 0 || c.MaxDownloadWait < 0 {
		errs = append(errs, errors.New("media: max_pending_uploads ≥ 1, unused_expiry > 0 and max_download_wait ≥ 0 are needed"))
	}
	t := c.Thumbnails
	for _, s := range t.Sizes {
		if s.Width < 1 || s.Height < 1 || (s.Method != MethodCrop && s.Method != MethodScale) {
			errs = append(errs, fmt.Errorf("media.thumbnails.sizes: %dx%d %q: want positive sides and crop or scale", s.Width, s.Height, s.Method))
		}
	}
	if t.MaxDynamicSide < 1 || t.MaxSourcePixels < 1 || t.MaxAnimatedFrames < 1 || t.JPEGQuality < 1 || t.JPEGQuality > 100 {
		errs = append(errs, errors.New("media.thumbnails: max_dynamic_side, max_source_pixels, max_animated_frames ≥ 1 and jpeg_quality 1-100 are needed"))
	}
	p := c.URLPreview
	for _, list := range [][]string{p.AllowCIDRs, p.DenyCIDRs} {
		for _, s := range list {
			if _, err := netip.ParsePrefix(s); err != nil {
				errs = append(errs, fmt.Errorf("media.url_preview: %w", err))
			}
		}
	}
	if p.MaxPageBytes < 1024 || p.MaxImageBytes < 1 || p.Timeout <= 0 || p.MaxRedirects < 0 || p.CacheFor <= 0 {
		errs = append(errs, errors.New("media.url_preview: max_page_bytes ≥ 1024, max_image_bytes ≥ 1, timeout > 0, max_redirects ≥ 0 and cache_for > 0 are needed"))
	}
	return errors.Join(errs...)
}
