/**
 * A small page that walks every reader of extraction (Open Graph, Twitter,
 * JSON-LD, icons, manifest, dates, author, language, the body's fallbacks):
 * a new extraction thread parses it a few times before real pages arrive, so
 * the first post's preview does not pay for loading and compiling the parser.
 */
export const WARM_UP_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Warming up | Plaza</title>
<meta name="description" content="A page extraction threads read once when they start.">
<meta property="og:title" content="Warming up"><meta property="og:site_name" content="Plaza">
<meta property="og:image" content="/card.png"><meta property="og:image:width" content="1200">
<meta property="og:type" content="article"><meta property="article:published_time" content="2026-01-01T00:00:00Z">
<meta name="twitter:card" content="summary_large_image"><meta name="author" content="Plaza">
<link rel="icon" href="/favicon.ico"><link rel="apple-touch-icon" sizes="180x180" href="/touch.png">
<link rel="manifest" href="/manifest.json"><link rel="canonical" href="/warm-up">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=warm-up">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Warming up",
"author":{"@type":"Person","name":"Plaza"},"datePublished":"2026-01-01","publisher":{"@type":"Organization","name":"Plaza"}}</script>
</head><body><article><h1>Warming up</h1><p>Extraction threads read this page once when they start.</p>
<time datetime="2026-01-01">1 January 2026</time></article></body></html>`;

/** Where the warm-up page is said to come from (a reserved name: nothing is fetched). */
export const WARM_UP_URL = 'https://plaza.invalid/warm-up';

/** Rounds of the warm-up page each thread parses: enough for the parser's hot paths to be compiled. */
export const WARM_UP_ROUNDS = 20;
