# frozen_string_literal: true

# A small classic Rails app in one file: sessions in a signed, encrypted
# cookie, CSRF protection, an ActiveModel validation answered with 422,
# redirect_to with flash messages, a login failure answered with 403, and a
# Content-Security-Policy with a fresh nonce per response. No database:
# to-dos live in process memory, one list per signed-in session.
#
# Start: PORT=3000 ./start.sh   (or: rackup -s webrick -E deployment -o 127.0.0.1 -p 3000 config.ru)

ENV["RAILS_ENV"] ||= "production"
$stdout.sync = true

require "logger" # Rails 6.1 expects Logger to be loaded before ActiveSupport.
require "securerandom"
require "rails"
require "active_model/railtie"
require "action_controller/railtie"
require "action_view/railtie"

# The one inline event handler; the CSP allows it by its hash.
CONFIRM_HANDLER = "return confirm('Delete?')"

class DemoApp < Rails::Application
  config.load_defaults 6.1
  config.root = __dir__
  config.eager_load = false
  config.cache_classes = true
  config.secret_key_base = ENV.fetch("SECRET_KEY_BASE") { "enhance-demo-" * 8 }
  config.session_store :cookie_store, key: "_rails_demo_session"
  config.hosts.clear # Any Host header: the app sits behind a gateway.
  config.logger = ActiveSupport::Logger.new($stdout)
  config.log_level = :info
  # A misconfigured app on purpose: unhandled errors show Rails' debug page,
  # stack trace included. A gateway must never hand that to a script.
  config.consider_all_requests_local = true
  # Compress like a production app behind no proxy would.
  config.middleware.insert_before 0, Rack::Deflater

  config.content_security_policy do |policy|
    policy.script_src :self, "'unsafe-hashes'",
                      "'sha256-#{Digest::SHA256.base64digest(CONFIRM_HANDLER)}'"
    policy.object_src :none
    policy.base_uri :self
  end
  config.content_security_policy_nonce_generator = ->(_request) { SecureRandom.urlsafe_base64(16) }
  config.content_security_policy_nonce_directives = %w[script-src]
end

DemoApp.initialize!

DemoApp.routes.draw do
  root "pages#home"
  get "/login", to: "sessions#new"
  post "/login", to: "sessions#create"
  delete "/logout", to: "sessions#destroy"
  resources :todos, only: %i[index create update destroy]
  get "/boom", to: "pages#boom"
  post "/boom", to: "pages#explode"
end

class Todo
  include ActiveModel::Model

  attr_accessor :id, :title, :done

  validates :title, presence: true, length: { maximum: 100 }

  def persisted?
    !id.nil?
  end
end

# TodoStore keeps one list of to-dos per owner (a random id given to a
# session at sign-in), guarded by a mutex: WEBrick serves requests on threads.
class TodoStore
  def initialize
    @lists = Hash.new { |h, k| h[k] = [] }
    @next_id = 0
    @mutex = Mutex.new
  end

  def all(owner)
    @mutex.synchronize { @lists[owner].map(&:dup) }
  end

  def add(owner, todo)
    @mutex.synchronize do
      todo.id = (@next_id += 1)
      @lists[owner] << todo.dup
    end
  end

  # change yields the owner's to-do with id and returns it, or returns nil.
  def change(owner, id)
    @mutex.synchronize do
      todo = @lists[owner].find { |t| t.id == id }
      yield todo, @lists[owner] if todo
      todo&.dup
    end
  end
end

TODOS = TodoStore.new

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "secret"

class ApplicationController < ActionController::Base
  protect_from_forgery with: :exception
  helper_method :current_user

  # Rails answers a bad token with 422; this keeps that status but shows a
  # plain page instead of the debug page.
  rescue_from ActionController::InvalidAuthenticityToken do
    render "errors/show", status: :unprocessable_entity,
                          locals: { title: "Unprocessable Entity", message: "Invalid authenticity token" }
  end

  private

  def current_user
    session[:user]
  end

  def require_login
    redirect_to "/login", alert: "Please log in first." unless current_user
  end
end

class PagesController < ApplicationController
  def home; end

  def boom; end

  def explode
    raise "LEAKED-STACK-TRACE: could not connect to postgres://orders:hunter2@db.internal/orders"
  end
end

class SessionsController < ApplicationController
  def new
    @email = ""
  end

  def create
    @email = params[:email].to_s.strip
    @error_field, @error = login_error(@email, params[:password].to_s)
    return render(:new, status: :forbidden) if @error

    # A new session on sign-in: a planted session cookie gains nothing.
    reset_session
    session[:user] = DEMO_EMAIL
    session[:owner] = SecureRandom.hex(16)
    redirect_to "/todos", notice: "Signed in as #{DEMO_EMAIL}."
  end

  def destroy
    reset_session
    redirect_to "/", notice: "Signed out."
  end

  private

  def login_error(email, password)
    return [:email, "Enter your email."] if email.empty?
    return [:email, "Invalid email or password."] unless email.casecmp?(DEMO_EMAIL)
    return [:password, "Invalid email or password."] unless ActiveSupport::SecurityUtils.secure_compare(password, DEMO_PASSWORD)

    [nil, nil]
  end
end

class TodosController < ApplicationController
  before_action :require_login

  def index
    @todo = Todo.new
    @todos = TODOS.all(owner)
  end

  def create
    @todo = Todo.new(title: params.dig(:todo, :title).to_s.strip)
    if @todo.valid?
      TODOS.add(owner, @todo)
      redirect_to todos_path, notice: "Added: #{@todo.title}"
    else
      @todos = TODOS.all(owner)
      render :index, status: :unprocessable_entity
    end
  end

  def update
    todo = TODOS.change(owner, params[:id].to_i) { |t, _| t.done = true }
    return not_found unless todo

    redirect_to todos_path, notice: "Completed: #{todo.title}"
  end

  def destroy
    todo = TODOS.change(owner, params[:id].to_i) { |t, list| list.delete(t) }
    return not_found unless todo

    redirect_to todos_path, notice: "Deleted: #{todo.title}"
  end

  private

  def owner
    session[:owner]
  end

  def not_found
    render "errors/show", status: :not_found, locals: { title: "Not Found", message: "No such to-do." }
  end
end

run DemoApp
