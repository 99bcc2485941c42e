<?php
// Shared bootstrap of the app: output compression, session, CSRF token,
// Content-Security-Policy nonce, flash messages and the page layout.
// Every page starts with `require __DIR__ . '/_app.php';`.
declare(strict_types=1);

// This file only defines things; asked for directly, it does not exist.
if (realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    http_response_code(404);
    exit;
}

// ob_gzhandler reads Accept-Encoding itself and adds Content-Encoding and Vary.
ob_start('ob_gzhandler');

session_set_cookie_params(['path' => '/', 'httponly' => true, 'samesite' => 'Lax']);
session_start();
if (empty($_SESSION['csrf'])) {
    $_SESSION['csrf'] = bin2hex(random_bytes(16));
}

const DEMO_EMAIL = 'demo@example.com';
// password_hash('secret'): the demo account's password.
const DEMO_PASSWORD_HASH = '$2y$10$3lcOAb72Wxkzpj/Gf3i9.eaOYrQ3wEe80z4urTn5oAZrvVXCeRB6S';
// The one inline event handler; the CSP allows it by its hash.
const CONFIRM_HANDLER = "return confirm('Delete this note?')";

$NONCE = rtrim(strtr(base64_encode(random_bytes(16)), '+/', '-_'), '=');
header("Content-Security-Policy: script-src 'self' 'nonce-$NONCE' 'unsafe-hashes' 'sha256-"
    . base64_encode(hash('sha256', CONFIRM_HANDLER, true)) . "'; object-src 'none'; base-uri 'self'");
header('Cache-Control: no-store');

function e(?string $s): string
{
    return htmlspecialchars($s ?? '', ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

// char_count counts UTF-8 characters without needing mbstring.
function char_count(string $s): int
{
    return (int)preg_match_all('/./us', $s);
}

function csrf_field(): string
{
    return '<input type="hidden" name="csrf_token" value="' . e($_SESSION['csrf']) . '">';
}

function is_post(): bool
{
    return $_SERVER['REQUEST_METHOD'] === 'POST';
}

// allow_methods answers 405 for any other method.
function allow_methods(string ...$methods): void
{
    if (!in_array($_SERVER['REQUEST_METHOD'], $methods, true)) {
        header('Allow: ' . implode(', ', $methods));
        fail_page(405, 'Method Not Allowed', 'Method not allowed');
    }
}

// check_csrf stops a POST whose csrf_token field is not the session's token.
function check_csrf(): void
{
    $sent = $_POST['csrf_token'] ?? '';
    if (!is_string($sent) || !hash_equals($_SESSION['csrf'], $sent)) {
        fail_page(403, 'Forbidden', 'Invalid CSRF token');
    }
}

// redirect_to sends 302 to an absolute URL built from the Host header, the
// way many PHP apps do.
function redirect_to(string $path): never
{
    header('Location: http://' . $_SERVER['HTTP_HOST'] . $path);
    exit;
}

function current_user(): ?string
{
    return $_SESSION['user'] ?? null;
}

function require_login(): void
{
    if (current_user() === null) {
        flash('Please log in first.');
        redirect_to('/login.php');
    }
}

function flash(string $message): void
{
    $_SESSION['flash'] = $message;
}

function take_flash(): ?string
{
    $message = $_SESSION['flash'] ?? null;
    unset($_SESSION['flash']);
    return $message;
}

// invalid returns the attributes that mark a field as invalid, if it is.
function invalid(array $errors, string $field): string
{
    return isset($errors[$field]) ? ' aria-invalid="true" aria-describedby="' . $field . '-error"' : '';
}

function field_error(array $errors, string $field): string
{
    return isset($errors[$field])
        ? '<span id="' . $field . '-error" class="error">' . e($errors[$field]) . '</span>'
        : '';
}

function page_start(string $title): void
{
    $flash = take_flash();
    $user = current_user();
    ?>
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title><?= e($title) ?> | PHP app</title>
<style>
.error { color: #a00; }
.flash { background: #e7f6e7; padding: .5rem; }
nav a, nav form { display: inline; margin-right: .75rem; }
</style>
</head>
<body>
<header>
<nav id="nav">
<a href="/index.php">Notes</a>
<a href="/contact.php">Contact</a>
<a href="/post.php">Post</a>
<a href="/boom.php">Boom</a>
<?php if ($user !== null): ?>
<span id="current-user"><?= e($user) ?></span>
<form method="post" action="/logout.php" id="logout-form"><?= csrf_field() ?><button type="submit">Log out</button></form>
<?php else: ?>
<a href="/login.php">Log in</a>
<?php endif ?>
</nav>
<p id="enhance-status">Plain HTML (no enhance)</p>
</header>
<?php if ($flash !== null): ?>
<p id="flash" class="flash" role="status"><?= e($flash) ?></p>
<?php endif ?>
<main id="main">
<?php
}

function page_end(): void
{
    echo "</main>\n</body>\n</html>\n";
}

// fail_page renders a short error page with status and stops.
function fail_page(int $status, string $title, string $message): never
{
    http_response_code($status);
    page_start($title);
    echo '<h1>' . e($title) . "</h1>\n<p id=\"error-message\">" . e($message) . "</p>\n";
    page_end();
    exit;
}
