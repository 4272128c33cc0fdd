output "predict_url" {
  description = "POST one CSV line of features here (null when the module created nothing)"
  value       = try("${aws_apigatewayv2_api.this[0].api_endpoint}/predict", null)
}

output "function_name" {
  description = "The Lambda function's name"
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "api_id" {
  description = "The HTTP API's id"
  value       = try(aws_apigatewayv2_api.this[0].id, null)
}

output "role_name" {
  description = "The function's execution role"
  value       = try(aws_iam_role.function[0].name, null)
}
