/* A ring of three picture buffers for libVLC's video callbacks, in C.
 *
 * With the callbacks written in Python, every rendered picture costs libVLC's thread two
 * trips into the interpreter (take the GIL, convert arguments, run, give the GIL back), and
 * on a 16-tile wall that is 640 trips a second competing with the GUI thread for the GIL.
 * Here lock and display never touch Python: libVLC gets the C functions themselves, and
 * the GUI thread asks for the newest picture on its frame clock (framering_take_all).
 *
 * The rule is the Python sink's (widgets/wall/vlc_sink.py, _VlcSink): lock hands out a buffer
 * that is neither the newest finished picture nor the one the GUI holds, so a picture the
 * GUI paints is never written; display fingerprints the picture and publishes it only if it
 * differs from the last one (libVLC renders a 10 fps stream about 20 times a second, and a
 * hung camera repeats one picture). The frame clock takes from every playing ring with one
 * call a tick (framering_take_all), so a tile whose camera sent nothing costs no Python.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define RING 3

typedef struct {
    pthread_mutex_t mu;
    unsigned char *buf[RING];
    size_t pixels;              /* 32-bit pixels per picture */
    size_t writing_pixels;      /* `pixels` when lock handed out the buffer: libVLC's thread only */
    int writing, latest, held;  /* buffer indices; -1 = none */
    uint32_t last_fp, latest_fp;
    int has_last, closed;
    uint64_t renders, pictures;
} framering;

framering *framering_new(void) {
    framering *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    pthread_mutex_init(&r->mu, NULL);
    r->latest = r->held = -1;
    return r;
}

void framering_free(framering *r) {
    if (!r) return;
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* New buffers (after libVLC's format callback). The caller keeps them alive. */
void framering_set_buffers(framering *r, void *b0, void *b1, void *b2, size_t pixels) {
    pthread_mutex_lock(&r->mu);
    r->buf[0] = b0; r->buf[1] = b1; r->buf[2] = b2;
    r->pixels = pixels;
    r->writing = 0;
    r->latest = r->held = -1;
    r->has_last = 0;
    pthread_mutex_unlock(&r->mu);
}

void framering_close(framering *r) {
    pthread_mutex_lock(&r->mu);
    r->closed = 1;
    pthread_mutex_unlock(&r->mu);
}

/* libVLC's lock callback: void *(*)(void *opaque, void **planes). What it returns, the
 * buffer, comes back to display as `picture`. */
void *framering_lock(void *opaque, void **planes) {
    framering *r = opaque;
    pthread_mutex_lock(&r->mu);
    int i = 0;
    while (i == r->latest || i == r->held) i++;
    r->writing = i;
    r->writing_pixels = r->pixels;
    planes[0] = r->buf[i];
    pthread_mutex_unlock(&r->mu);
    return planes[0];
}

/* FNV-1a over every 31st pixel (about 3 %): enough to see a moving clock or any motion. */
static uint32_t fingerprint(const uint32_t *px, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i += 31) {
        h ^= px[i];
        h *= 16777619u;
    }
    return h;
}

/* libVLC's display callback: void (*)(void *opaque, void *picture), `picture` being what
 * lock returned. The fingerprint is taken before the lock: reading ~2,000-7,000 scattered,
 * freshly written pixels takes tens to hundreds of microseconds, and the GUI thread's
 * framering_take_all would wait that long. The buffer is libVLC's alone until published. */
void framering_display(void *opaque, void *picture) {
    framering *r = opaque;
    if (!picture) return;
    uint32_t fp = fingerprint((const uint32_t *)picture, r->writing_pixels);
    pthread_mutex_lock(&r->mu);
    if (!r->closed && r->buf[r->writing] == picture) {
        r->renders++;
        if (!r->has_last || fp != r->last_fp) {
            r->last_fp = fp;
            r->has_last = 1;
            r->latest = r->writing;
            r->latest_fp = fp;
            r->pictures++;
        }
    }
    pthread_mutex_unlock(&r->mu);
}

/* GUI thread: the newest new picture of each of n rings, which each ring now holds.
 * picture[i] is its buffer's address, or NULL if ring i has none; fp[i] its fingerprint.
 * Returns how many rings had one. An address rather than an index: the caller looks the
 * picture up by address, so one from buffers that framering_set_buffers has since
 * replaced finds nothing instead of the wrong buffer. */
int framering_take_all(framering *const *rings, int n, void **picture, uint32_t *fp) {
    int got = 0;
    for (int i = 0; i < n; i++) {
        framering *r = rings[i];
        picture[i] = NULL;
        fp[i] = 0;
        pthread_mutex_lock(&r->mu);
        if (!r->closed && r->latest >= 0) {
            r->held = r->latest;
            r->latest = -1;
            picture[i] = r->buf[r->held];
            fp[i] = r->latest_fp;
            got++;
        }
        pthread_mutex_unlock(&r->mu);
    }
    return got;
}

/* Pictures rendered and pictures published since the start (for tests and the benchmark). */
void framering_counts(framering *r, uint64_t *renders, uint64_t *pictures) {
    pthread_mutex_lock(&r->mu);
    *renders = r->renders;
    *pictures = r->pictures;
    pthread_mutex_unlock(&r->mu);
}
