"""HTTP surfaces. Each module only translates Azure's wire format to service calls and back."""
