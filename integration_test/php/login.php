<?php
// Log in: a failure is answered with 403 and the form again.
require __DIR__ . '/_app.php';

allow_methods('GET', 'HEAD', 'POST');
$email = '';
$errors = [];

if (is_post()) {
    check_csrf();
    $email = trim((string)($_POST['email'] ?? ''));
    $password = (string)($_POST['password'] ?? '');
    if ($email === '') {
        $errors['email'] = 'Enter your email.';
    } elseif (strcasecmp($email, DEMO_EMAIL) !== 0) {
        $errors['email'] = 'Invalid email or password.';
    } elseif (!password_verify($password, DEMO_PASSWORD_HASH)) {
        $errors['password'] = 'Invalid email or password.';
    }
    if (!$errors) {
        // A new session id and token on sign-in: a planted id gains nothing.
        session_regenerate_id(true);
        $_SESSION['csrf'] = bin2hex(random_bytes(16));
        $_SESSION['user'] = DEMO_EMAIL;
        flash('Signed in as ' . DEMO_EMAIL . '.');
        redirect_to('/index.php');
    }
    http_response_code(403);
}

page_start('Log in');
?>
<h1>Log in</h1>
<form method="post" action="/login.php" id="login-form">
<?= csrf_field() ?>
<p><label for="email">Email</label>
<input id="email" name="email" type="email" value="<?= e($email) ?>"<?= invalid($errors, 'email') ?>>
<?= field_error($errors, 'email') ?></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" value=""<?= invalid($errors, 'password') ?>>
<?= field_error($errors, 'password') ?></p>
<button type="submit">Log in</button>
</form>
<?php
page_end();
