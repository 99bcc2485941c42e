<?php
// Contact form in the oldest style: validation errors come back with 200.
require __DIR__ . '/_app.php';

allow_methods('GET', 'HEAD', 'POST');
$values = ['name' => '', 'email' => '', 'message' => ''];
$errors = [];

if (is_post()) {
    check_csrf();
    foreach ($values as $field => $_) {
        $values[$field] = trim((string)($_POST[$field] ?? ''));
    }
    if ($values['name'] === '') {
        $errors['name'] = 'Please enter your name.';
    }
    if (!filter_var($values['email'], FILTER_VALIDATE_EMAIL)) {
        $errors['email'] = 'Please enter a valid email address.';
    }
    if (char_count($values['message']) < 10) {
        $errors['message'] = 'Message must be at least 10 characters.';
    }
    if (!$errors) {
        flash('Thanks, ' . $values['name'] . '. Your message was sent.');
        redirect_to('/contact.php?sent=1');
    }
}

page_start('Contact');
?>
<h1>Contact</h1>
<?php if (isset($_GET['sent'])): ?>
<p id="sent">Message received.</p>
<?php endif ?>
<?php if ($errors): ?>
<p id="form-error" class="error" role="alert">Please correct the errors below.</p>
<?php endif ?>
<form method="post" action="/contact.php" id="contact-form">
<?= csrf_field() ?>
<p><label for="name">Name</label>
<input id="name" name="name" type="text" value="<?= e($values['name']) ?>"<?= invalid($errors, 'name') ?>>
<?= field_error($errors, 'name') ?></p>
<p><label for="email">Email</label>
<input id="email" name="email" type="email" value="<?= e($values['email']) ?>"<?= invalid($errors, 'email') ?>>
<?= field_error($errors, 'email') ?></p>
<p><label for="message">Message</label>
<textarea id="message" name="message"<?= invalid($errors, 'message') ?>><?= e($values['message']) ?></textarea>
<?= field_error($errors, 'message') ?></p>
<button type="submit">Send</button>
</form>
<?php
page_end();
