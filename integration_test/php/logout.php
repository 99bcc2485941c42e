<?php
// Log out: POST only; ends the session and starts a fresh one.
require __DIR__ . '/_app.php';

allow_methods('POST');
check_csrf();
$_SESSION = [];
session_regenerate_id(true);
$_SESSION['csrf'] = bin2hex(random_bytes(16));
flash('Signed out.');
redirect_to('/login.php');
